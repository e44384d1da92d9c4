package tui

// textsCoord are the texts of the coordinator screens: team overview and
// review queue.
var textsCoord = map[string][2]string{}
