"""A searchable news archive.

The core knows no framework: readers turn files into `Article` records, enrichment adds language and entities,
the index stores them, and a `SearchRequest` is answered with a `SearchPage`. Only `cli.py` imports click and
only `web.py` imports Flask; both go through the same request and search code.
"""

__version__ = "0.1.0"
