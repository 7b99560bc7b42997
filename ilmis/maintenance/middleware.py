class MaintenanceMiddleware:
    """R5.8: serves the maintenance page during a window (filled in by the maintenance app)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
