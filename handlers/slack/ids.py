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
SETTING_LANGUAGE = "language"

# Tip schedules and the workspace's tips (admins)
HOME_TIPS = "home_tips"
TIPS_MODAL = "delight_tips"
TIP_SCHEDULE_MODAL = "delight_tip_schedule"
TIP_PREVIEW_MODAL = "delight_tip_preview"
CUSTOM_TIPS_MODAL = "delight_custom_tips"
TIPS_NEW = "tips_new"
TIPS_CUSTOM = "tips_custom"
TIPS_EDIT = "tips_edit"  # every schedule button's value is its schedule id
TIPS_PAUSE = "tips_pause"
TIPS_RESUME = "tips_resume"
TIPS_PREVIEW = "tips_preview"
TIPS_SEND_NOW = "tips_send_now"  # value: "<schedule id>:<send key>"
TIPS_DELETE = "tips_delete"
TIPS_ELEMENT = "tips_element"  # the custom tips modal's element menu
TIP_ENABLE = "tip_enable"  # value: the tip's id
TIP_DISABLE = "tip_disable"
TIP_MENU = "tip_menu"  # a custom tip's overflow: "off:<id>", "on:<id>" or "delete:<id>"
SCHEDULE_CHANNEL = "tip_channel"  # the schedule form: each block id is its input's action id
SCHEDULE_MODE = "tip_mode"
SCHEDULE_DAYS = "tip_days"
SCHEDULE_TIME = "tip_time"
SCHEDULE_TIMEZONE = "tip_timezone"
SCHEDULE_START = "tip_start"
TIP_TITLE = "tip_title"  # the custom tip form: block ids carry a version, so a new form is empty
TIP_BODY = "tip_body"
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
