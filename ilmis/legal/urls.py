from django.urls import path

from . import views

app_name = "legal"
urlpatterns = [
    path("", views.terms, name="terms"),
    path("v<int:number>/", views.terms, name="terms_version"),
    path("accepter/", views.accept, name="accept"),
]
