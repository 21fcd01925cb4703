{
  "targets": [
    {
      "target_name": "kukeon_flock",
      "sources": ["flock.c", "mkfifo.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
