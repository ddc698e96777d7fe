from ninja import Router

from coworklib.community.message_api import router as message_router

router = Router(tags=["community"])
router.add_router("", message_router)
