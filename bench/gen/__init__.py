"""The benchmark-corpus generator, by idea: source articles, pool, plan, noise, layout, rendering, writing."""
