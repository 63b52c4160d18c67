"""Callback, action and block ids shared by the views and their listeners."""

COMMAND = "/delight"
NOMINATION_MODAL = "delight_nomination"
MESSAGE_SHORTCUT = "recognise_message"

RECIPIENTS_BLOCK = "recipients"
RECIPIENTS_ACTION = "users"
STORY_BLOCK = "story"
STORY_ACTION = "text"
ELEMENTS_BLOCK = "elements"
ELEMENTS_ACTION = "chosen"
RECOGNISE_FROM_TIP = "recognise_from_tip"
