from ninja import Router

from coworklib.notifications.push_api import router as push_router

router = Router(tags=["notifications"])
router.add_router("", push_router)
