"""Faithful local sandboxes of the DIDWW API v3 and the PortSIP PBX REST API v22."""
