from django.apps import apps
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Outside the language prefix: providers, LMSs and API clients call fixed, registered addresses.
    path("auth/", include("identity.urls")),
    path("api/", include("api.urls")),
    path("lti/", include("lti.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Everything a learner sees is prefixed by its language (/et/, /ru/, /en/): the prefix sets the
# interface language and picks the Wagtail locale of the pages served.
learner_urls = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/sent/", views.signup_sent, name="signup_sent"),
    path("accounts/signup/confirm/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("accounts/welcome/", views.welcome, name="welcome"),
    path("accounts/language/", views.language, name="account_language"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/", include("cms.accounts.urls")),
    path("learn/", include("lessons.urls")),
]
# The tutor is optional: without it in INSTALLED_APPS the site renders without its panel and links.
if apps.is_installed("tutor"):
    learner_urls.append(path("tutor/", include("tutor.urls")))
urlpatterns += i18n_patterns(*learner_urls, path("", include(wagtail_urls)))
