package memsession_test

import (
	"testing"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/memsession"
	"github.com/agentsession/agentsession/sessiontest"
)

func TestConformance(t *testing.T) {
	sessiontest.Run(t, func(t *testing.T) (agentsession.Backend, error) {
		return memsession.New(), nil
	})
}
