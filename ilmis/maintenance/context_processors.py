def banners(request):
    """Messages shown on every page (maintenance announcements)."""
    return {"site_banners": []}
