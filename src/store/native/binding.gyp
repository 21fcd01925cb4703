{
  "targets": [
    {
      "target_name": "kukeon_flock",
      "sources": ["flock.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
