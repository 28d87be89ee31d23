"""A local, Alipay-compatible sandbox for development, demos and tests. Never installed in production."""
