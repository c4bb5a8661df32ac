"""The request bodies of PortSIP's API as its OpenAPI description declares them, by area.

`tests/portsip/test_bodies.py` holds every declaration against PortSIP's own description, so the two
cannot drift apart.
"""
