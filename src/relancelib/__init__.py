"""relancelib — French invoice dunning (scaffold; the public API is re-exported here)."""
