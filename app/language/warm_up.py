from app.language import text
from app.language.vocabulary import vocabulary


def warm_up_language() -> None:
    """Load the dictionaries and the vocabulary, so that no request waits for them."""
    text.warm_up()
    vocabulary()
