//go:build race

package main

// raceDetector tells TestMain the race detector is on.
const raceDetector = true
