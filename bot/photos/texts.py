"""What a resident is told when a photo cannot be taken, in one place: polite Chinese, fit to show as it is.

The channels hand these to the report form (`/attach_photo{"photo_error": …}`), which says them and goes on.
"""

NOT_AN_IMAGE = "抱歉，这个文件不是照片，没能收下。请发送 JPG、PNG 或 WebP 格式的照片，或直接用文字描述。"
TOO_LARGE = "抱歉，这张照片超过了10MB，没能收下。请换一张小一些的照片（或截图）再发送，或直接用文字描述。"
DAMAGED = "抱歉，这张照片已损坏或没有传完整，打不开。请重新拍一张再发送，或直接用文字描述。"
TOO_MANY_PIXELS = "抱歉，这张照片的像素太大，无法处理。请发送手机正常拍摄的照片（或截图），或直接用文字描述。"
NOT_RECEIVED = "抱歉，这张照片没能从微信取到。请稍后重新发送一次，或直接用文字描述。"
NOT_STORED = "抱歉，系统繁忙，这张照片暂时没能保存。请稍后重新发送一次，或直接用文字描述。"
