"""The web console: server-rendered pages over the storage, mounted by ``mount_console``."""
