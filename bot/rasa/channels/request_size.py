"""The largest request body any channel accepts: a resident's longest message (2,000 characters, as JSON escapes or
as WeChat's encrypted XML) fits with room to spare, while a 100 MB body (Sanic's default) is refused with 413
before it is read or parsed.
"""
MAX_REQUEST_BYTES = 16 * 1024
