import Timebase

extension AdaptiveJitterBuffer {
    /// Returns the next frame of `frameSamplesPerPull` samples; call it every frame period of the
    /// playout clock with that clock's time.
    public mutating func pull(now: MonotonicTime) -> PlayoutFrame {
        var samples = [Int16](repeating: 0, count: limits.frame)
        let info = samples.withUnsafeMutableBufferPointer { pull(now: now, into: $0) }
        return PlayoutFrame(kind: info.kind, timestamp: info.timestamp, samples: samples)
    }

    /// Writes the next frame into `output` (which should hold `frameSamplesPerPull` samples; any extra is
    /// zeroed) without allocating.
    public mutating func pull(now: MonotonicTime, into output: UnsafeMutableBufferPointer<Int16>) -> PlayoutInfo {
        let nowSample = now.sampleIndex(sampleRate: limits.sampleRate)
        lastPull = nowSample
        stats.pulls += 1
        let frameOutput = UnsafeMutableBufferPointer(rebasing: output[0..<min(output.count, limits.frame)])
        for index in frameOutput.count..<output.count { output[index] = 0 }

        let target = estimator.target(now: nowSample)
        stats.targetDelayMs = limits.milliseconds(target)
        let info: PlayoutInfo
        if hasStream && !playing && delay(at: nowSample) >= target {
            playing = true
        }
        if hasStream && playing {
            info = playFrame(now: nowSample, target: target, output: frameOutput)
        } else {
            info = waitFrame(output: frameOutput)
        }
        count(info.kind)
        lastOutputQuiet = Self.meanMagnitude(UnsafeBufferPointer(frameOutput)) < limits.silenceLevel
        stats.bufferedMs = limits.milliseconds(Int(clamping: max(newestEnd - playoutTimestamp, 0)))
        return info
    }

    /// Playout delay beyond the fastest recent transit if the next frame were played at `now`.
    func delay(at now: Int64) -> Int64 {
        now - playoutTimestamp - floor.value
    }

    /// Before the first packet or while a new stream fills up: concealment fades out what played last.
    private mutating func waitFrame(output: UnsafeMutableBufferPointer<Int16>) -> PlayoutInfo {
        concealment.conceal(count: limits.frame)
        concealment.emit(into: output)
        return PlayoutInfo(kind: concealment.lastOutputWasSilent ? .silence : .concealed, timestamp: nil)
    }

    private mutating func playFrame(now: Int64, target: Int, output: UnsafeMutableBufferPointer<Int16>) -> PlayoutInfo {
        let current = delay(at: now)
        stats.currentDelayMs = limits.milliseconds(Int(clamping: current))
        if current < Int64(target) {
            overTargetSince = nil
            concealment.conceal(count: limits.frame)
            concealment.emit(into: output)
            return PlayoutInfo(kind: .expanded, timestamp: nil)
        }
        if shouldCompress(now: now, delay: current, target: target) {
            overTargetSince = nil
            // Normally one frame; as many as it takes when a faster path suddenly put the delay above the cap.
            let frame = Int64(limits.frame)
            let excess = current - Int64(limits.maxDelay)
            let frames = excess > 0 ? max((excess + frame - 1) / frame, 1) : 1
            stats.compressedFrames += Int(frames) - 1
            let dropped = ring.read(from: playoutTimestamp, into: &droppedSamples, present: &droppedPresent)
            playoutTimestamp += frames * frame
            stats.currentDelayMs = limits.milliseconds(Int(clamping: delay(at: now)))
            let played = consumeFrame(output: output, crossfadeFromDropped: dropped == limits.frame)
            return PlayoutInfo(kind: .compressed, timestamp: played.timestamp)
        }
        return consumeFrame(output: output, crossfadeFromDropped: false)
    }

    /// Drop a frame when the delay is above target by more than a frame and a quarter: right away if that
    /// loses nothing audible, after `compressionPatience` if the talker never pauses, and immediately
    /// above `maximumDelay`.
    private mutating func shouldCompress(now: Int64, delay: Int64, target: Int) -> Bool {
        if delay > Int64(limits.maxDelay) { return true }
        guard delay >= Int64(target + limits.frame + limits.frame / 4) else {
            overTargetSince = nil
            return false
        }
        let since = overTargetSince ?? now
        overTargetSince = since
        if now - since >= Int64(limits.patience) { return true }
        return nextFrameIsQuiet()
    }

    /// True when dropping the frame at the playout point is inaudible: what played last was quiet and the
    /// frame is quiet or missing, or the frame is missing and the next one starts a talkspurt.
    private mutating func nextFrameIsQuiet() -> Bool {
        let stored = ring.read(from: playoutTimestamp, into: &droppedSamples, present: &droppedPresent)
        if stored == 0 {
            return lastOutputQuiet
                || ring.hasTalkspurtStart(from: playoutTimestamp + Int64(limits.frame), count: limits.frame)
        }
        guard lastOutputQuiet else { return false }
        var total = 0
        for index in 0..<limits.frame where droppedPresent[index] {
            total += abs(Int(droppedSamples[index]))
        }
        return total / stored < limits.silenceLevel
    }

    /// Plays the frame at the playout point: received samples pass through concealment's delay line,
    /// missing ones are synthesized.
    private mutating func consumeFrame(output: UnsafeMutableBufferPointer<Int16>,
                                       crossfadeFromDropped: Bool) -> PlayoutInfo {
        let frame = limits.frame
        let stored = ring.read(from: playoutTimestamp, into: &frameSamples, present: &framePresent)
        if crossfadeFromDropped && stored == frame {
            // The dropped frame continues what was played; fade from it into the frame that replaces it.
            let length = min(limits.sampleRate / 250, frame)
            for index in 0..<length {
                let weight = Float(index + 1) / Float(length + 1)
                let blended = weight * Float(frameSamples[index]) + (1 - weight) * Float(droppedSamples[index])
                frameSamples[index] = PacketLossConcealment.clamp(blended)
            }
        }
        var kind = PlayoutKind.normal
        if stored == frame {
            concealment.receive(frameSamples[0..<frame])
        } else if stored == 0 {
            concealment.conceal(count: frame)
            kind = .concealed
        } else {
            feedRuns()
            kind = .concealed
        }
        concealment.emit(into: output)
        if kind == .concealed && concealment.lastOutputWasSilent { kind = .silence }
        stats.concealedMs += limits.milliseconds(frame - stored)
        let timestamp = UInt32(truncatingIfNeeded: playoutTimestamp - Int64(concealment.delaySamples))
        playoutTimestamp += Int64(frame)
        return PlayoutInfo(kind: kind, timestamp: timestamp)
    }

    /// A partly received frame: alternate received runs and concealed gaps.
    private mutating func feedRuns() {
        var start = 0
        while start < limits.frame {
            let present = framePresent[start]
            var end = start + 1
            while end < limits.frame && framePresent[end] == present { end += 1 }
            if present {
                concealment.receive(frameSamples[start..<end])
            } else {
                concealment.conceal(count: end - start)
            }
            start = end
        }
    }

    private mutating func count(_ kind: PlayoutKind) {
        switch kind {
        case .normal: stats.normalFrames += 1
        case .concealed: stats.concealedFrames += 1
        case .silence: stats.silenceFrames += 1
        case .expanded:
            stats.expandedFrames += 1
            stats.concealedMs += limits.milliseconds(limits.frame)
        case .compressed: stats.compressedFrames += 1
        }
    }

    static func meanMagnitude(_ samples: UnsafeBufferPointer<Int16>) -> Int {
        guard !samples.isEmpty else { return 0 }
        var total: Int32 = 0
        var index = 0
        while index < samples.count {
            // Blocks of 32768 cannot overflow an Int32 of magnitudes up to 32768.
            var block: Int32 = 0
            for sample in samples[index..<min(index + 32768, samples.count)] {
                let value = Int32(sample)
                block &+= value < 0 ? 0 &- value : value
            }
            total = total &+ block / Int32(samples.count)
            index += 32768
        }
        return Int(total)
    }

    /// Storage held, in slots; constant after `init` (tests assert memory stays bounded).
    var footprint: Int {
        ring.footprint + candidateSamples.count + frameSamples.count + droppedSamples.count
            + concealment.line.count + concealment.pitchBuffer.count
    }
}
