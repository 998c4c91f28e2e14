"""What a snapshot reads: each object kind the rules judge, from the Graph endpoint that carries the
properties the rules need (beta where they live only there: research/intune.md), with the least
read-only permission that reads it. Assignments are read per object and kept inside it, as
IntuneManagement exports them."""

from __future__ import annotations

from toolkit.records import record

ACTIVITY_FEED_APP = "d32c68ad-72d2-4acb-a0c7-46bb2cf93873"  # Activity Feed Service (restore's backup store)


@record
class Kind:
    name: str              # folder in the snapshot, and the key in snapshot.json
    path: str              # below the Graph base URL
    permission: str        # the read-only application / delegated permission
    feeds: tuple[str, ...]  # the export kinds (facts/intune KIND_NAMES) it feeds
    assignments: bool = False  # GET {path}/{id}/assignments for each object
    settings: bool = False     # GET {path}/{id}/settings for each object (settings catalog), kept inside it
    odata_type: str = ""   # given to objects that come without one (v1.0 lists of one type)
    single: bool = False   # one object, not a collection; 404 = it does not exist


KINDS = (
    Kind("AutopilotProfiles", "/beta/deviceManagement/windowsAutopilotDeploymentProfiles",
         "DeviceManagementServiceConfig.Read.All", ("profile",), assignments=True),
    Kind("EnrollmentConfigurations", "/beta/deviceManagement/deviceEnrollmentConfigurations",
         "DeviceManagementServiceConfig.Read.All", ("esp", "restore"), assignments=True),
    Kind("SettingsCatalog", "/beta/deviceManagement/configurationPolicies",
         "DeviceManagementConfiguration.Read.All", ("settings", "dpp"), assignments=True, settings=True),
    # every device configuration; only custom (OMA-URI) profiles are kept, told by their @odata.type
    Kind("CustomProfiles", "/beta/deviceManagement/deviceConfigurations",
         "DeviceManagementConfiguration.Read.All", ("settings",), assignments=True),
    Kind("ConditionalAccess", "/v1.0/identity/conditionalAccess/policies", "Policy.Read.All", ("ca",),
         odata_type="#microsoft.graph.conditionalAccessPolicy"),
    Kind("ServicePrincipals", f"/v1.0/servicePrincipals(appId='{ACTIVITY_FEED_APP}')", "Application.Read.All",
         ("sp",), odata_type="#microsoft.graph.servicePrincipal", single=True),
)
# The groups that assignments and Conditional Access policies name, read one by one.
GROUPS = Kind("Groups", "/v1.0/groups", "GroupMember.Read.All", ("group",), odata_type="#microsoft.graph.group")
GROUP_SELECT = "id,displayName,groupTypes,securityEnabled,mailEnabled,membershipRule"

# --pilot-group: whether the group's users have a Windows backup (Graph beta windowsSetting; delegated
# only, global cloud only: Microsoft Learn, windowssetting-list). Counts and user ids only: no names.
PILOT = Kind("PilotBackups", "/beta/users", "UserWindowsSettings.Read.All (delegated)", ("backups",))
PILOT_CLOUDS = ("public", "gcc")
MAX_PILOT_USERS = 1000
PILOT_TYPE = "#oobe-ready.pilotGroupBackups"
