package tui

// textsReport are the texts of the flow report screen.
var textsReport = map[string][2]string{}
