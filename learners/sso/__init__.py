"""Single sign-on through each municipality's own OpenID Connect provider, on top of
django-allauth's socialaccount `openid_connect` provider: one allauth app per municipality
(built from learners.models.IdentityProvider, never stored in allauth's own table)."""
