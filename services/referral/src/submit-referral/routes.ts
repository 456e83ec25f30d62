// POST /v1/referrals: a placing LA's case system refers a child. The placing LA is the token's
// organisation; appending ReferralSubmitted opens the referral's stream and claims the child (one
// open referral per child and LA) in one statement.
import { randomUUID } from 'node:crypto';
import { findLocalAuthority, subjectIdFor } from '@placements/contracts';
import { personalResponse, problems, type ServiceHost, setEtag } from '@placements/service-kit';
import { z } from 'zod';
import { isChildAlreadyClaimed, openReferralOf } from '../referral/open-referrals.ts';
import {
  decide,
  evolveAll,
  initialReferralState,
  type Referral,
  referralProblems,
} from '../referral/referral.ts';
import { submissionWarnings, submitReferralBody, todayFrom } from '../referral/referral-request.ts';
import { referralStreamId, toStoredEvents } from '../referral/referral-stream.ts';
import { presentReferral, referralView } from '../referral/referral-view.ts';

export function registerSubmitReferral(host: ServiceHost): void {
  const today = todayFrom(host.clock);
  host.app.post(
    '/v1/referrals',
    {
      config: { auth: { roles: ['placing-authority'] } },
      schema: {
        tags: ['referrals'],
        summary: 'Refer a child who needs a children’s home',
        description:
          'The placing LA is the token’s organisation. A second open referral for the same childRef in the same LA is a 409 linking to the open one. Send an Idempotency-Key to retry safely: a retry returns the first response. Warnings (e.g. a child aged 17) do not stop the referral.',
        headers: z.object({
          'idempotency-key': z
            .string()
            .optional()
            .describe('Retries with the same key return the first response'),
        }),
        body: submitReferralBody(today),
        response: { 201: referralView },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const now = host.clock();
      const date = today();
      const placingLa = principal.org;
      if (!findLocalAuthority(placingLa, date)) {
        throw problems.forbidden(
          'the token’s organisation is not an English local authority with children’s services in force today',
        );
      }
      const body = request.body;
      // The answer repeats the child's details: a stored idempotent copy is sealed with the child's key.
      personalResponse(request, subjectIdFor(placingLa, body.childRef));
      const { avoidAreas, familyAnchors, ...requirements } = body.requirements;
      const referralId = randomUUID();
      // Creates the child's data key before sealing needs it, and refuses a
      // child whose data was erased: nothing personal may be recorded about them again.
      if (!(await host.keyStore.keyForEncryption(subjectIdFor(placingLa, body.childRef)))) {
        throw referralProblems.childErased();
      }
      const events = decide(
        {
          type: 'SubmitReferral',
          data: {
            referralId,
            placingLa,
            childRef: body.childRef,
            child: body.child,
            needs: body.needs,
            risks: body.risks,
            requirements,
            locations: { avoidAreas, familyAnchors },
            childViews: body.childViews,
            attestation: body.attestation,
          },
        },
        initialReferralState,
        { now },
      );
      const stored = toStoredEvents(events, host.metadata(request));
      // The append also claims the child (a trigger on the log): one round trip, all or nothing.
      for (let attempt = 1; ; attempt++) {
        try {
          await host.store.append(referralStreamId(referralId), stored, {
            expectedVersion: 'no-stream',
            now,
          });
          break;
        } catch (error) {
          if (!isChildAlreadyClaimed(error)) throw error;
          const open = await openReferralOf(host.pool, placingLa, body.childRef);
          if (open) throw referralProblems.alreadyOpen(open);
          // The open referral was closed a moment ago: the child is free now.
          if (attempt >= 3) throw error;
        }
      }
      const referral = evolveAll(initialReferralState, events) as Referral;
      reply.header('location', `/v1/referrals/${referralId}`);
      setEtag(reply, referral.version);
      return reply.status(201).send(presentReferral(referral, 'owner', submissionWarnings(body, date)));
    },
  );
}
