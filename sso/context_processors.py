from django.http import HttpRequest

from . import conf


def mindsphere(request: HttpRequest) -> dict:
    return {"mindsphere_check_interval": conf.get("MINDSPHERE_CHECK_INTERVAL")}
