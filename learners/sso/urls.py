"""allauth includes `<provider package>.urls` for each provider; the municipal login and
callback live in learners.urls.sso (under /konto/kommune/), so nothing is added here."""

urlpatterns: list = []
