"""Content negotiation (RFC 9110 §12.5.1): which of a resource's media types a request accepts best."""

from fastapi import Request

from app.core.problems import NotAcceptable


def chosen(request: Request, offered: list[str]) -> str:
    """The offered media type the Accept header prefers (the first offered on a tie or without
    a header); 406 when it accepts none of them."""
    ranges = _ranges(request.headers.get("accept", "*/*"))
    best, best_quality = None, 0.0
    for media_type in offered:
        quality = _quality(media_type, ranges)
        if quality > best_quality:
            best, best_quality = media_type, quality
    if best is None:
        raise NotAcceptable(f"Available as {', '.join(offered)}.")
    return best


def _ranges(header: str) -> list[tuple[str, float]]:
    found = []
    for item in header.split(","):
        media_range, *parameters = (part.strip() for part in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    quality = min(1.0, max(0.0, float(value)))
                except ValueError:
                    quality = 0.0
        if media_range:
            found.append((media_range.lower(), quality))
    return found or [("*/*", 1.0)]


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    """The quality of the most specific range that matches the media type."""
    kind = media_type.split("/")[0]
    for pattern in (media_type, f"{kind}/*", "*/*"):
        for media_range, quality in ranges:
            if media_range == pattern:
                return quality
    return 0.0
