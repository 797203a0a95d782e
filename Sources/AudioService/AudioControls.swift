import Wire

/// What a user switches during a call: mute, gains and the voice processing stages. Set from the configuration
/// at start and by `audio.set` at any time; the audio thread picks a change up at its next 20 ms tick. The bus
/// contract's own type: what `audio.set` answers is exactly what the engine uses.
public typealias AudioControls = AudioAPI.Controls
