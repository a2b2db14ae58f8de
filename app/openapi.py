"""Print the OpenAPI document the code generates: `make openapi` writes it to openapi/openapi.json."""

import json

from app.core.settings import Settings
from app.main import create_app


def document() -> str:
    # No database is touched: building the app only creates a lazy engine.
    app = create_app(Settings(database_url="sqlite://"))
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(document(), end="")
