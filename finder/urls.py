from django.urls import path

from finder import views
from finder.pages import estimate as estimate_pages
from finder.pages import info as info_pages
from finder.pages import practice_acts as practice_act_pages
from finder.pages import search as search_pages

app_name = "finder"

urlpatterns = [
    path("", search_pages.search_page, name="search"),
    path("providers/<int:provider_id>/", search_pages.provider_page, name="provider"),
    path("estimate/", estimate_pages.estimate_page, name="estimate"),
    path("estimate/good-faith/", estimate_pages.good_faith_estimate_page, name="good-faith"),
    path("practice-acts/", practice_act_pages.practice_acts_page, name="practice-acts"),
    path(
        "practice-acts/<str:state>/",
        practice_act_pages.practice_act_state_page,
        name="practice-act-state",
    ),
    path("safety/", info_pages.safety_page, name="safety"),
    path("about/", info_pages.about_page, name="about"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
]
