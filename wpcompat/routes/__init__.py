"""One controller per WordPress resource; `registry` lists what the app serves."""
