"""The public API's routers, one per resource."""
