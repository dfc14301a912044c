"""`archive check` on PostgreSQL: amcheck's bt_index_check over every B-tree index, on each shard through dblink."""
import re

import pytest

from archive.cli import cli
from archive.ingest import ingest

from . import pg
from .conftest import SAMPLE

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("layout", ["single", "sharded"])
def test_check_verifies_every_btree_index_with_amcheck(pg_servers, runner, layout):
    url = pg.fresh(getattr(pg_servers, layout))
    assert not ingest([str(SAMPLE)], url, workers=1).failures
    result = runner.invoke(cli, ["--index", url, "check"])
    assert result.exit_code == 0, result.output
    found = re.fullmatch(r"ok: 13 articles; (\d+) B-tree indexes verified with amcheck on (\d+) servers?\n",
                         result.output)
    assert found, result.output
    servers = int(found.group(2))
    assert servers == (4 if layout == "sharded" else 1)
    assert int(found.group(1)) >= 2 * servers - (1 if layout == "sharded" else 0)  # the shards' own indexes too
