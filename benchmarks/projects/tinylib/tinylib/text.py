"""A tiny text and number library (benchmark fixture: small project, fixed costs dominate)."""


def clamp(x, lo=0, hi=10):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


def chunks(items, size):
    if size <= 0:
        raise ValueError("size must be positive")
    return [items[i : i + size] for i in range(0, len(items), size)]


def slug(text, sep="-"):
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    return sep.join(words)


def initials(name):
    parts = [p for p in name.split(" ") if p]
    return "".join(p[0].upper() for p in parts)


def mean(values):
    if not values:
        return 0.0
    return sum(values) / len(values)


def percent(part, whole, digits=1):
    if whole == 0:
        return 0.0
    return round(100.0 * part / whole, digits)


def truncate(text, width, tail="..."):
    if len(text) <= width:
        return text
    keep = max(0, width - len(tail))
    return text[:keep] + tail


def is_palindrome(text):
    cleaned = [c for c in text.lower() if c.isalnum()]
    return cleaned == cleaned[::-1]


def count_words(text):
    counts = {}
    for word in text.lower().split():
        counts[word] = counts.get(word, 0) + 1
    return counts


def pad_number(n, width=3):
    text = str(abs(n)).rjust(width, "0")
    return "-" + text if n < 0 else text


def dedupe(items):
    seen = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def title_case(text, small=("a", "of", "the")):
    words = text.split()
    return " ".join(w if i and w in small else w.capitalize() for i, w in enumerate(words))
