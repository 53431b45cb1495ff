# Sourced by .ci/run: tools the tests drive rather than servers. tmux gives the
# CLI's progress-bar test a terminal (AGENTSESSION_TMUX).
need_packages() {
  command -v tmux >/dev/null || missing+=(tmux)
}
[ -n "${work:-}" ] || return 0

export AGENTSESSION_TMUX
AGENTSESSION_TMUX=$(command -v tmux)
