"""Runs of a server on this box: started detached (tmux window or setsid), recorded in
`<config dir>/runs/<id>/run.toml`, followed through `server.log`, stopped by process group."""
