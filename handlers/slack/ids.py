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
# Manager digests and teams (issue 5)
DIGEST_FULL_LIST = "digest_full_list"
OPEN_TEAMS = "open_teams"  # any button with this action id opens the teams modal (admins)
TEAMS_MODAL = "delight_teams"
TEAM_EDIT_MODAL = "delight_team_edit"
DIGEST_SETTINGS_MODAL = "delight_digest_settings"
TEAM_NEW = "team_new"
TEAM_EDIT = "team_edit"
TEAMS_PAGE = "teams_page"
DIGEST_SETTINGS = "digest_settings"
TEAM_NAME_BLOCK = "team_name"
TEAM_MANAGERS_BLOCK = "team_managers"
TEAM_MEMBERS_BLOCK = "team_members"
TEAM_GROUPS_BLOCK = "team_usergroups"
TEAM_CHANNELS_BLOCK = "team_channels"
TEAM_DELETE_BLOCK = "team_delete"
DIGEST_DAY_BLOCK = "digest_day"
DIGEST_HOUR_BLOCK = "digest_hour"
DIGEST_CHARTS_BLOCK = "digest_charts"
VALUE = "value"  # the action id of every input in those modals: their block ids tell them apart
