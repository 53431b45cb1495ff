package dynamosession

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"

	"github.com/agentsession/agentsession"
	"github.com/agentsession/agentsession/internal/urlopt"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func init() {
	agentsession.Register("dynamodb", func(ctx context.Context, u *url.URL) (agentsession.Backend, error) {
		return Open(ctx, u)
	})
}

// Open opens the Backend named by a "dynamodb" URL, as agentsession.OpenStore
// does: see the package documentation for its form and parameters.
func Open(ctx context.Context, u *url.URL) (*Backend, error) {
	q := urlopt.New(u)
	endpoint := q.String("endpoint", "")
	region := q.String("region", "")
	layoutName := q.String("layout", "item")
	pk := q.String("partition_key", "")
	create, err := q.Bool("create_table", false)
	if err != nil {
		return nil, err
	}
	if err := q.Done(); err != nil {
		return nil, err
	}
	if u.Scheme != "dynamodb" {
		return nil, fmt.Errorf("dynamosession: URL scheme %q, want dynamodb", u.Scheme)
	}
	table := u.Host
	if table == "" {
		table = u.Opaque
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("dynamosession: URL path %q: name the table as the host, dynamodb://TABLE", u.Path)
	}
	var layout Layout
	switch layoutName {
	case "item", "":
		layout = ItemLayout
	case "compat":
		layout = CompatLayout
	default:
		return nil, fmt.Errorf("parameter layout=%q: want item or compat", layoutName)
	}
	var loadOpts []func(*config.LoadOptions) error
	if region != "" {
		loadOpts = append(loadOpts, config.WithRegion(region))
	}
	if endpoint != "" {
		eu, err := url.Parse(endpoint)
		if err != nil || eu.Scheme == "" || eu.Host == "" {
			return nil, fmt.Errorf("parameter endpoint=%q: want a URL such as http://127.0.0.1:8000", endpoint)
		}
		if isLoopback(eu.Hostname()) && os.Getenv("AWS_ACCESS_KEY_ID") == "" && os.Getenv("AWS_PROFILE") == "" {
			// A local DynamoDB (dynalite, DynamoDB Local) takes any key.
			loadOpts = append(loadOpts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("dynamosession: loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" && endpoint != "" {
		cfg.Region = "us-east-1"
	}
	client := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	b, err := New(client, &Options{Table: table, Layout: layout, PartitionKey: pk})
	if err != nil {
		return nil, err
	}
	if create {
		if err := b.CreateTable(ctx); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
