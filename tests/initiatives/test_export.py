import csv
import io
import json

from app.core.caller import ADMIN
from app.initiatives import export
from app.initiatives import service as initiative_service
from tests.factories import make_initiative


class TestIterRecords:
    def test_walks_every_batch_once_and_skips_archived(self, session, monkeypatch):
        monkeypatch.setattr(export, "BATCH_SIZE", 2)
        created = [make_initiative(session) for _ in range(5)]
        initiative_service.archive(session, created[0].id, "Dubblett", ADMIN)
        exported = [record["id"] for record in export.iter_records(session)]
        assert sorted(exported) == sorted(str(i.id) for i in created[1:])
        with_archived = [record["id"] for record in export.iter_records(session, include_archived=True)]
        assert len(with_archived) == 5


class TestWriters:
    def test_csv_joins_words_and_keeps_nested_values_as_json(self, session):
        make_initiative(session, tags=["sensorer", "fall"], participants=[{"organisation": "0180", "role": "partner"}])
        out = io.StringIO()
        assert export.write_csv(export.iter_records(session), out) == 1
        row = next(csv.DictReader(io.StringIO(out.getvalue())))
        assert row["tags"] == "fall; sensorer"
        assert json.loads(row["participants"])[0]["organisation"] == "0180"

    def test_jsonl_is_one_object_per_line(self, session):
        first, second = make_initiative(session), make_initiative(session)
        out = io.StringIO()
        export.write_jsonl(export.iter_records(session), out)
        assert {json.loads(line)["id"] for line in out.getvalue().splitlines()} == {str(first.id), str(second.id)}
