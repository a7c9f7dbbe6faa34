// The sanction authorities the API knows (`sanctionAuthorities`): those with a suspension
// policy, whose grounds the forms offer as choices with their ranges, and those named by a
// recorded sanction. The forms offer them rather than ask for them typed; an authority not
// yet on record may still be typed in the imposition form (the API accepts it, and checks a
// period against a policy only when the authority has one).
import { useEffect, useState } from "preact/hooks";
import { ApiRefusal } from "./api.js";

const AUTHORITIES = `query ConsoleSanctionAuthorities {
  sanctionAuthorities { name sanctionsRecorded policy { grounds { code labelJa labelEn minMonths maxMonths } } }
}`;

// The authorities, read once per screen: null while loading; `refused`: the API's refusal.
export function useAuthorities(api) {
  const [state, setState] = useState({ authorities: null, refused: null });
  useEffect(() => {
    api(AUTHORITIES)
      .then(({ sanctionAuthorities }) => setState({ authorities: sanctionAuthorities, refused: null }))
      .catch((error) => {
        if (!(error instanceof ApiRefusal)) throw error;
        setState({ authorities: [], refused: error.messages });
      });
  }, []);
  return state;
}

// The policy of the authority named `name` (as typed: surrounding spaces aside), or null.
export function policyOf(authorities, name) {
  return (authorities ?? []).find((authority) => authority.name === name.trim())?.policy ?? null;
}

// A policy's grounds as a field's options: the code, and its name in the user's language
// with its range of months (before aggravation).
export function groundOptions(t, language, policy) {
  return policy.grounds.map((ground) => [
    ground.code,
    t("sanction.groundChoice", {
      label: language === "ja" ? ground.labelJa : ground.labelEn,
      min: ground.minMonths,
      max: ground.maxMonths,
    }),
  ]);
}

// The authorities as a text field's suggestions, each said to have a policy or not.
export function authoritySuggestions(t, authorities) {
  return (authorities ?? []).map((authority) => [
    authority.name,
    authority.policy ? t("sanction.authorityWithPolicy") : t("sanction.authorityRecorded", { count: authority.sanctionsRecorded }),
  ]);
}
