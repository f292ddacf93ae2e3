"""The channels that can send a photo or a location, so the report form asks for one only where it can arrive."""

CHANNELS_WITH_PHOTOS = ("wechat", "widget")
