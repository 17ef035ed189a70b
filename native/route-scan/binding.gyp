{
  "targets": [
    {
      "target_name": "route_scan",
      "sources": ["route-scan.c"],
      "cflags": ["-O2"]
    }
  ]
}
