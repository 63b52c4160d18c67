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

PRIVATE_BLOCK = "visibility"
PRIVATE_ACTION = "private"
ENDORSE = "endorse_kudos"
KUDOS_MENU = "kudos_menu"  # the announcement's overflow: moderation
UNDO = "undo_kudos"
REMOVAL_MODAL = "delight_removal"
REASON_BLOCK = "reason"

HOME_RECOGNISE = "home_recognise"
HOME_PAGE = "home_page"  # older/newer buttons; the value holds the cursor
HOME_TOGGLE_ELEMENTS = "home_toggle_elements"
HOME_PUBLIC = "home_public_announcements"
HOME_SETTINGS = "home_settings"

SETTINGS_MODAL = "delight_settings"
SETTING_CHANNEL = "channel"
SETTING_LIMIT = "daily_limit"
SETTING_OPTIONS = "options"  # checkboxes: require an element, leaderboards
SETTING_EMOJI = "emoji"
SETTING_ADMINS = "admins"
