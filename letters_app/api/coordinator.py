"""The endpoints a coordinator's API token opens, on the one letter it was made for."""

from ninja import Router

router = Router(tags=["Coordinators"])
