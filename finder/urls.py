from django.urls import path

from finder import views

app_name = "finder"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
