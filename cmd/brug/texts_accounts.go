package main

// accountTexts are the messages of the account commands of `brug admin`
// (user enable, remove, rename, role; team rename, remove) and of the
// confirmation of `brug admin erase`.
var accountTexts = map[string][2]string{
	"admin.userenabled": {
		"Gebruiker %s ingeschakeld: apparaten die niet zijn ingetrokken synchroniseren weer.",
		"Enabled user %s: devices that were not revoked sync again.",
	},
	"admin.userremoved": {
		"Gebruiker %s verwijderd: apparaten ingetrokken, SSH-sleutels en lidmaatschappen weg. Wat %[1]s schreef blijft staan onder die naam.",
		"Removed user %s: devices revoked, SSH keys and memberships gone. What %[1]s wrote stays under that name.",
	},
	"admin.userrenamed": {
		"Gebruiker %s heet nu %s; rol, teams en SSH-sleutels gaan mee. Eerdere wijzigingen blijven op naam van %[1]s. Maak een nieuwe code met brug admin invite %[2]s.",
		"User %s is now %s; role, teams and SSH keys moved along. Earlier changes stay under the name %[1]s. Make a new code with brug admin invite %[2]s.",
	},
	"admin.userrole": {"Gebruiker %s heeft nu rol %s.", "User %s now has role %s."},
	"admin.teamrenamed": {
		"Team %q heet nu %q; %d dossiers zijn meeverhuisd en de apparaten van het team krijgen dat bij hun volgende synchronisatie.",
		"Team %q is now %q; %d dossiers moved along, and the team's devices get that on their next sync.",
	},
	"admin.teamremoved": {"Team %q verwijderd.", "Removed team %q."},
	"admin.lastadmin": {
		"%s is de laatste actieve beheerder; maak eerst iemand anders beheerder (brug admin user role NAAM admin).",
		"%s is the last active admin; make someone else admin first (brug admin user role NAME admin).",
	},
	"admin.renamedevices": {
		"%[1]s heeft nog %[2]d apparaat/apparaten die niet zijn ingetrokken. Die kunnen nog niet verstuurde wijzigingen op naam van %[1]s bevatten. Laat ze synchroniseren, trek ze in (brug admin device revoke ID), hernoem dan en maak een nieuwe code.",
		"%[1]s still has %[2]d device(s) that are not revoked. They may hold unsent changes under the name %[1]s. Let them sync, revoke them (brug admin device revoke ID), then rename and make a new code.",
	},
	"admin.teammembers": {
		"Team %q heeft nog leden (%s); haal ze eruit met brug admin team member remove.",
		"Team %q still has members (%s); remove them with brug admin team member remove.",
	},
	"admin.teamdossiers": {
		"Team %q heeft nog dossiers; zet ze eerst in een ander team.",
		"Team %q still has dossiers; move them to another team first.",
	},
	"admin.renamepartial": {
		"Het hernoemen van team %q is niet afgemaakt (%s). Voer hetzelfde commando nog eens uit om het af te maken.",
		"Renaming team %q was not finished (%s). Run the same command again to finish it.",
	},
	"admin.erasefound": {
		"Gevonden: %s, team %s, geboortejaar %s (id %s).",
		"Found: %s, team %s, born %s (id %s).",
	},
	"admin.erasecands": {
		"Meer dan één dossier past bij %q:",
		"More than one dossier matches %q:",
	},
	"admin.erasepick": {
		"Geef het id van het goede dossier: brug admin erase ID",
		"Give the id of the right dossier: brug admin erase ID",
	},
	"admin.cols.cands": {"NAAM\tTEAM\tGEBOORTEJAAR\tID", "NAME\tTEAM\tBORN\tID"},
	"admin.eraseask": {
		"Dit dossier wordt overal gewist; dat kan niet ongedaan worden gemaakt. Typ ja om te wissen: ",
		"This dossier will be erased everywhere; that cannot be undone. Type yes to erase: ",
	},
	"admin.erasenotty": {
		"Wissen kan niet ongedaan worden gemaakt en hier kan brug het niet vragen. Voeg --yes toe om %s te wissen.",
		"Erasing cannot be undone and brug cannot ask here. Add --yes to erase %s.",
	},
	"admin.erasestopped": {"Niet gewist.", "Not erased."},
	"admin.erasedwho": {
		"%s (team %s, geboortejaar %s, id %s) is gewist; apparaten wissen het dossier bij hun volgende synchronisatie.",
		"Erased %s (team %s, born %s, id %s); devices erase the dossier on their next sync.",
	},
}
