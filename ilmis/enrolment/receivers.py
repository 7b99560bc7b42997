"""R5.8 → R5.4, R2.3: a maintenance outage does not eat into access windows or signing time."""


def on_outage_ended(sender, window=None, start=None, end=None, duration=None, **kwargs):
    from .services import extend_for_outage

    if start is None or end is None:
        return None
    key = f"{window._meta.label_lower}:{window.pk}" if window is not None else f"{start}:{end}"
    return extend_for_outage(key=key, start=start, end=end)
