from pathlib import Path

from app.openapi import document

SNAPSHOT = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def test_committed_openapi_matches_the_code():
    assert SNAPSHOT.read_text(encoding="utf-8") == document(), (
        "openapi/openapi.json is out of date: run `make openapi` and commit the result."
    )


def test_every_operation_documents_its_errors_as_problems():
    import json

    spec = json.loads(document())
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            errors = {code: r for code, r in operation["responses"].items() if code.startswith(("4", "5"))}
            for code, response in errors.items():
                assert "application/problem+json" in response.get("content", {}), f"{method} {path} {code}"
