"""Query the index: parse, rank, group by story, snippet, and serve over HTTP."""
