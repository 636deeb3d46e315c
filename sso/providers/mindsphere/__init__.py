"""The `mindsphere` django-allauth provider, laid out as allauth's own providers are."""
