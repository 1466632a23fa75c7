"""The daily watch's probes: DNS consistency, dangling CNAMEs, HTTP/HTTPS answers, TLS
certificates and defacement signs, for many names at once within fixed bounds.

Imports nothing of `bot/` or `storage/`: it is handed a `WatchConfig` and the names, and gives
back one `NameReport` per name. It only connects to addresses inside
`WatchConfig.allowed_networks` (the rest are reported as not probed, without a packet sent).
"""
