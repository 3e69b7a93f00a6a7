"""Situation report: what changed, where and on what evidence, as self-contained HTML and Markdown."""
